package dev.ringmaster.migration.flyway;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a PostgreSQL script into statements, each with the line it starts on, so the expand safety check can name
 * file and line. Knows what may contain a {@code ;} without ending a statement: quoted strings (with {@code ''} and,
 * in {@code E'...'}, backslash escapes), quoted identifiers, dollar-quoted bodies ({@code $$...$$},
 * {@code $fn$...$fn$}), line comments and nested block comments. A line comment containing {@link #ASSUME_ADDITIVE}
 * marks the statement it precedes (or sits in) as reviewed by a person.
 */
final class SqlStatements {
  static final String ASSUME_ADDITIVE = "ringmaster:assume-additive";

  record Statement(int line, String sql, boolean assumeAdditive) {}

  private SqlStatements() {}

  static List<Statement> split(String script) {
    List<Statement> out = new ArrayList<>();
    StringBuilder sql = new StringBuilder();
    int line = 1;
    int startLine = 0;
    boolean marked = false;
    boolean pendingMark = false;
    int i = 0;
    int n = script.length();
    while (i < n) {
      char c = script.charAt(i);
      char next = i + 1 < n ? script.charAt(i + 1) : '\0';
      int end;
      if (c == '-' && next == '-') {
        end = script.indexOf('\n', i);
        end = end < 0 ? n : end;
        if (script.substring(i, end).contains(ASSUME_ADDITIVE)) {
          if (sql.isEmpty()) pendingMark = true; else marked = true;
        }
        i = end;
        continue;
      }
      if (c == '/' && next == '*') {
        end = blockCommentEnd(script, i);
        line += count(script, i, end);
        i = end;
        if (!sql.isEmpty()) sql.append(' ');
        continue;
      }
      if (Character.isWhitespace(c) && sql.isEmpty()) {
        if (c == '\n') line++;
        i++;
        continue;
      }
      if (c == ';') {
        add(out, sql, startLine, marked);
        marked = false;
        i++;
        continue;
      }
      if (sql.isEmpty()) {
        startLine = line;
        marked = pendingMark;
        pendingMark = false;
      }
      if (c == '\'') {
        end = stringEnd(script, i, escapeString(script, i));
      } else if (c == '"') {
        end = quotedEnd(script, i, '"');
      } else if (c == '$' && dollarTag(script, i) != null) {
        String tag = dollarTag(script, i);
        int close = script.indexOf(tag, i + tag.length());
        end = close < 0 ? n : close + tag.length();
      } else {
        end = i + 1;
      }
      line += count(script, i, end);
      sql.append(script, i, end);
      i = end;
    }
    add(out, sql, startLine, marked);
    return out;
  }

  private static void add(List<Statement> out, StringBuilder sql, int line, boolean marked) {
    String s = sql.toString().strip();
    if (!s.isEmpty()) out.add(new Statement(line, s, marked));
    sql.setLength(0);
  }

  private static int count(String s, int from, int to) {
    int lines = 0;
    for (int i = from; i < to; i++) if (s.charAt(i) == '\n') lines++;
    return lines;
  }

  /** PostgreSQL block comments nest. */
  private static int blockCommentEnd(String s, int i) {
    int depth = 0;
    while (i < s.length() - 1) {
      if (s.charAt(i) == '/' && s.charAt(i + 1) == '*') {
        depth++;
        i += 2;
      } else if (s.charAt(i) == '*' && s.charAt(i + 1) == '/') {
        depth--;
        i += 2;
        if (depth == 0) return i;
      } else {
        i++;
      }
    }
    return s.length();
  }

  /** {@code E'...'}: the quote follows a lone E, not the end of an identifier such as {@code name'}. */
  private static boolean escapeString(String s, int quote) {
    return quote > 0 && (s.charAt(quote - 1) == 'E' || s.charAt(quote - 1) == 'e')
        && (quote == 1 || !isIdentifierChar(s.charAt(quote - 2)));
  }

  private static int stringEnd(String s, int i, boolean backslashEscapes) {
    int j = i + 1;
    while (j < s.length()) {
      char c = s.charAt(j);
      if (backslashEscapes && c == '\\') {
        j += 2;
      } else if (c == '\'') {
        if (j + 1 < s.length() && s.charAt(j + 1) == '\'') j += 2; else return j + 1;
      } else {
        j++;
      }
    }
    return s.length();
  }

  private static int quotedEnd(String s, int i, char quote) {
    int j = i + 1;
    while (j < s.length()) {
      if (s.charAt(j) == quote) {
        if (j + 1 < s.length() && s.charAt(j + 1) == quote) j += 2; else return j + 1;
      } else {
        j++;
      }
    }
    return s.length();
  }

  /** {@code $$} or {@code $tag$} opening a dollar-quoted string; null for {@code $1} parameters and the like. */
  private static String dollarTag(String s, int i) {
    if (i > 0 && isIdentifierChar(s.charAt(i - 1))) return null;
    int j = i + 1;
    while (j < s.length() && (Character.isLetter(s.charAt(j)) || s.charAt(j) == '_' || (j > i + 1 && Character.isDigit(s.charAt(j))))) j++;
    return j < s.length() && s.charAt(j) == '$' ? s.substring(i, j + 1) : null;
  }

  private static boolean isIdentifierChar(char c) {
    return Character.isLetterOrDigit(c) || c == '_' || c == '$';
  }
}
