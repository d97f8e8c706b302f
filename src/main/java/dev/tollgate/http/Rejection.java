package dev.tollgate.http;

/**
 * Why a request head is refused: the status, a detail that is safe to show to the client (it quotes no input),
 * and whether the connection must be closed after the answer. Immutable.
 */
public record Rejection(int status, String detail, boolean close) {
}
