import Foundation

/// A password or token is short; a larger file is the wrong one (or /dev/zero).
let maxSecretBytes = 64 << 10

/// Reads a secret from the file a node names, with `${VAR}` expanded from the environment
/// (systemd's `${CREDENTIALS_DIRECTORY}`); trailing newlines are not part of it.
func secretFile(_ n: Node) -> String? {
    guard let raw = n.string else { return nil }
    let path = expandEnvironment(raw)
    let data: Data
    switch BoundedFile.read(path, limit: maxSecretBytes) {
    case .data(let contents):
        data = contents
    case .unreadable:
        n.fail("cannot read \(path) (does it exist, and may healthd read it?)")
        return nil
    case .tooLarge:
        n.fail("\(path) is larger than \(maxSecretBytes >> 10) KiB, too large for a password or token")
        return nil
    }
    var text = String(decoding: data, as: UTF8.self)
    while text.hasSuffix("\n") || text.hasSuffix("\r") { text.removeLast() }
    return text
}

extension Config {
    /// Every secret the config holds (passwords, tokens), so that logs and the audit log can
    /// scrub them from any text that might echo one (a hook's output, an error message).
    package var secrets: [String] {
        var out: [String] = []
        for p in probes {
            switch p.target {
            case .http(let c): out += [c.endpoint.password].compactMap { $0 } + c.headers.filter { Self.isSecretHeader($0.0) }.map(\.1)
            case .postgres(let c): out += [c.password, c.endpoint.password].compactMap { $0 }
            case .redis(let c): out += [c.password, c.endpoint.password].compactMap { $0 }
            case .prometheus(let c): out += [c.endpoint.password].compactMap { $0 }
            case .tcp, .exec: break
            }
        }
        for h in hooks {
            switch h.kind {
            case .webhook(let w): out += w.secretHeaders.map(\.value) + [w.endpoint.password].compactMap { $0 }
            case .alertmanager(let a): out += a.endpoints.compactMap(\.password)
            case .exec: break
            }
        }
        // Too short to scrub without mangling ordinary text.
        return Array(Set(out.filter { $0.count >= 4 })).sorted()
    }

    /// Headers that carry credentials (Authorization: Bearer …, X-Api-Key, cookies, tokens).
    static func isSecretHeader(_ name: String) -> Bool {
        let n = name.lowercased()
        return ["authorization", "cookie", "token", "key", "secret", "password", "auth", "session", "signature"]
            .contains { n.contains($0) }
    }
}
