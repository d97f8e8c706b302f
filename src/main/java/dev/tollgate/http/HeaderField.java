package dev.tollgate.http;

/**
 * One header field (RFC 9110 §5): a name and one value, as the gateway adds it to a request or a response.
 *
 * @param name the field name, as it is sent
 * @param value the field value, already checked to be safe in a header
 */
public record HeaderField(String name, String value) {
}
