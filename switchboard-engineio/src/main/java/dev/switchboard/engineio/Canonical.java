package dev.switchboard.engineio;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.util.AsciiString;
import java.util.Map;
import java.util.TreeMap;

/**
 * Shared instances for the strings every handshake repeats (common header names and values, the
 * Engine.IO query parameters), so a session's {@link Handshake} holds references to constants
 * instead of its own copies: about 0.5 KiB less per idle session. Only these fixed tables are
 * shared; anything else a client sends is kept as received (never interned, so a client cannot
 * grow a table). Immutable; any thread.
 */
final class Canonical {

    /** Request header names as Netty's constants (lower case, as Node reports them), by case-insensitive name. */
    private static final Map<String, AsciiString> HEADER_NAMES = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);

    /** Exact header values and query names/values that recur on every handshake. */
    private static final Map<String, String> STRINGS = Map.ofEntries(
            e("EIO"), e("4"), e("3"), e("transport"), e("websocket"), e("polling"), e("sid"), e("t"), e("b64"),
            e("Upgrade"), e("upgrade"), e("keep-alive"), e("Keep-Alive"), e("close"), e("13"), e("no-cache"),
            e("*/*"), e("gzip, deflate"), e("gzip, deflate, br"), e("gzip, deflate, br, zstd"),
            e("permessage-deflate; client_max_window_bits"), e("text/plain;charset=UTF-8"),
            e("127.0.0.1"), e("localhost"));

    static {
        for (AsciiString n : new AsciiString[] {
            HttpHeaderNames.HOST, HttpHeaderNames.CONNECTION, HttpHeaderNames.UPGRADE, HttpHeaderNames.USER_AGENT,
            HttpHeaderNames.ACCEPT, HttpHeaderNames.ACCEPT_ENCODING, HttpHeaderNames.ACCEPT_LANGUAGE,
            HttpHeaderNames.ORIGIN, HttpHeaderNames.COOKIE, HttpHeaderNames.REFERER, HttpHeaderNames.CACHE_CONTROL,
            HttpHeaderNames.PRAGMA, HttpHeaderNames.CONTENT_TYPE, HttpHeaderNames.CONTENT_LENGTH,
            HttpHeaderNames.SEC_WEBSOCKET_KEY, HttpHeaderNames.SEC_WEBSOCKET_VERSION,
            HttpHeaderNames.SEC_WEBSOCKET_EXTENSIONS, HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL,
            HttpHeaderNames.AUTHORIZATION, AsciiString.cached("x-forwarded-for"), AsciiString.cached("x-forwarded-proto"),
            AsciiString.cached("sec-fetch-mode"), AsciiString.cached("sec-fetch-site"), AsciiString.cached("sec-fetch-dest"),
        }) {
            HEADER_NAMES.put(n.toString(), n);
        }
    }

    private Canonical() {}

    private static Map.Entry<String, String> e(String s) {
        return Map.entry(s, s);
    }

    /** The shared constant for a common header name, or the name as received. */
    static CharSequence headerName(String name) {
        AsciiString n = HEADER_NAMES.get(name);
        return n != null ? n : name;
    }

    /** The shared constant equal to {@code s}, or {@code s}. */
    static String string(String s) {
        return STRINGS.getOrDefault(s, s);
    }
}
