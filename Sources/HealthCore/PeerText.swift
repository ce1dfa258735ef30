/// Text a peer wrote (a server's error, a plugin's output), cut where it enters healthd: a 1 MB
/// error message would otherwise travel into every snapshot, subscriber and alert environment.
package enum PeerText {
    /// About 1 KiB: room for any real message.
    package static let limit = 1024

    /// `text` cut to at most `limit` UTF-8 bytes at a character boundary, `…` marking the cut.
    package static func capped(_ text: String, to limit: Int = limit) -> String {
        guard text.utf8.count > limit else { return text }
        var out = ""
        var used = 0
        for c in text {
            let n = c.utf8.count
            if used + n > limit - 3 { break }
            out.append(c)
            used += n
        }
        return out + "…"
    }
}
