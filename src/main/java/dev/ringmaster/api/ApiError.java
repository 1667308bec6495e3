package dev.ringmaster.api;

import java.util.List;

/** Every API error body: what went wrong, and the details (every validation problem, a hint). */
public record ApiError(String error, List<String> details) {}
