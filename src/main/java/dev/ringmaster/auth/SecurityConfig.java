package dev.ringmaster.auth;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ringmaster.rollouts.Role;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.MediaType;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.authorization.AuthorizationDecision;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Every {@code /api/**} call needs {@code Authorization: Bearer <token>} ({@link ApiTokens}); the identity, roles and
 * service scopes come from the token, and {@link dev.ringmaster.rollouts.RolloutCommands} checks them per command.
 * Open: {@code /actuator/health} and {@code /slack/**} (Slack's own signature check). {@code /actuator/prometheus}:
 * from loopback, or with a token that may {@code read}. 401/403 are the usual JSON errors, logged without the token.
 */
@Configuration(proxyBeanMethods = false)
@EnableWebSecurity
@EnableConfigurationProperties(AuthProperties.class)
public class SecurityConfig {
  private static final Logger log = LoggerFactory.getLogger(SecurityConfig.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern TOKEN_IN_QUERY = Pattern.compile("(^|&)(access_token|token|bearer|api_key)=", Pattern.CASE_INSENSITIVE);

  @Bean
  ApiTokens apiTokens(AuthProperties props) {
    return new ApiTokens(props.tokens(), props.adminTokenFile().isBlank() ? null : Path.of(props.adminTokenFile()));
  }

  /** Tokens only: no passwords, so Spring Boot generates no user and logs no password. */
  @Bean
  AuthenticationManager noPasswordLogins() {
    return authentication -> {
      throw new BadCredentialsException("Ringmaster accepts API tokens only");
    };
  }

  @Bean
  SecurityFilterChain api(HttpSecurity http, ApiTokens tokens) throws Exception {
    http.csrf(c -> c.disable())
        .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
        .httpBasic(b -> b.disable())
        .formLogin(f -> f.disable())
        .logout(l -> l.disable())
        .requestCache(r -> r.disable())
        .addFilterBefore(new BearerTokens(tokens), AnonymousAuthenticationFilter.class)
        .exceptionHandling(e -> e
            .authenticationEntryPoint((req, res, ex) -> refuse(req, res, 401, "authentication required: send 'Authorization: Bearer <token>'",
                List.of("a token from the configuration (ringmaster.auth.tokens) or the admin token in var/admin-token")))
            .accessDeniedHandler((req, res, ex) -> refuse(req, res, 403, "forbidden: the token may not do this", List.of())))
        .authorizeHttpRequests(a -> a
            .requestMatchers("/actuator/health", "/actuator/health/**", "/slack/**", "/error").permitAll()
            .requestMatchers("/actuator/prometheus").access((auth, ctx) -> new AuthorizationDecision(loopback(ctx.getRequest()) || mayRead(auth.get())))
            .requestMatchers("/api/**", "/actuator/**").authenticated()
            .anyRequest().permitAll());
    return http.build();
  }

  private static boolean mayRead(Authentication a) {
    return a != null && a.getPrincipal() instanceof ApiTokens.Holder h && (h.roles().contains(Role.READ) || h.roles().contains(Role.ADMIN));
  }

  private static boolean loopback(HttpServletRequest request) {
    try {
      return InetAddress.getByName(request.getRemoteAddr()).isLoopbackAddress();
    } catch (IOException e) {
      return false;
    }
  }

  static void refuse(HttpServletRequest req, HttpServletResponse res, int status, String error, List<String> details) throws IOException {
    log.warn("refused {} {} from {}: {} {}", req.getMethod(), req.getRequestURI(), req.getRemoteAddr(), status, error);
    res.setStatus(status);
    res.setContentType(MediaType.APPLICATION_JSON_VALUE);
    if (status == 401) res.setHeader("WWW-Authenticate", "Bearer realm=\"ringmaster\"");
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("error", error);
    body.put("details", details);
    JSON.writeValue(res.getOutputStream(), body);
  }

  /** Reads the bearer token of API and actuator calls; a bad one is 401 at once, a missing one is anonymous. */
  static final class BearerTokens extends OncePerRequestFilter {
    private final ApiTokens tokens;

    BearerTokens(ApiTokens tokens) {
      this.tokens = tokens;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
      String uri = request.getRequestURI();
      return !(uri.startsWith("/api/") || uri.equals("/api") || uri.startsWith("/actuator/"));
    }

    @Override
    protected void doFilterInternal(HttpServletRequest req, HttpServletResponse res, FilterChain chain) throws ServletException, IOException {
      String query = req.getQueryString();
      if (query != null && TOKEN_IN_QUERY.matcher(query).find()) {
        refuse(req, res, 400, "tokens are never accepted in a URL (URLs end up in logs and browser history)",
            List.of("send it as a header: Authorization: Bearer <token>"));
        return;
      }
      String header = req.getHeader("Authorization");
      if (header == null || header.isBlank()) {
        chain.doFilter(req, res);
        return;
      }
      if (!header.regionMatches(true, 0, "Bearer ", 0, 7)) {
        refuse(req, res, 401, "unsupported Authorization scheme: send 'Authorization: Bearer <token>'", List.of());
        return;
      }
      Optional<ApiTokens.Holder> holder = tokens.authenticate(header.substring(7));
      if (holder.isEmpty()) {
        refuse(req, res, 401, "invalid token", List.of("the token is not configured (or was revoked); ringmaster token create makes one"));
        return;
      }
      ApiTokens.Holder h = holder.get();
      var authorities = h.roles().stream().map(r -> new SimpleGrantedAuthority("ROLE_" + r.name())).toList();
      var context = SecurityContextHolder.createEmptyContext();
      context.setAuthentication(UsernamePasswordAuthenticationToken.authenticated(h, null, authorities));
      SecurityContextHolder.setContext(context);
      try {
        chain.doFilter(req, res);
      } finally {
        SecurityContextHolder.clearContext();
      }
    }
  }
}
