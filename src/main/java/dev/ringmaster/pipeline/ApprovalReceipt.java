package dev.ringmaster.pipeline;

/** The answer to an accepted approve/reject Update. */
public record ApprovalReceipt(String gate, String decision, int approvals, int quorum, String message) {}
