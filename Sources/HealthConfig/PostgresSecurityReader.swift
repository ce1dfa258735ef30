import HealthProtocols

/// The security half of a `postgres` URL: libpq's `sslmode`, `sslrootcert`, `sslcert`, `sslkey`,
/// `channel_binding` and `require_auth`, merged with the probe's `tls` block.
struct PostgresSecurity {
    var sslMode = PostgresCheck.SSLMode.prefer
    var tls = TLSSettings()
    var channelBinding = PostgresConfiguration.ChannelBinding.prefer
    var authPolicy = PostgresAuthPolicy()
}

extension ProbeReader {
    static let postgresURLParameters = ["sslmode", "sslrootcert", "sslcert", "sslkey", "channel_binding", "require_auth"]

    func readPostgresSecurity(_ ep: Endpoint) -> PostgresSecurity {
        let params = Dictionary(ep.queryItems, uniquingKeysWith: { _, last in last })
        let url = node["url"]
        for key in params.keys.sorted() where !Self.postgresURLParameters.contains(key) {
            url?.fail("unknown URL parameter \"\(key)\" (known: \(Self.postgresURLParameters.joined(separator: ", ")))")
        }
        var s = PostgresSecurity()
        s.tls = readTLS(node["tls"]) ?? TLSSettings()
        let systemRoot = params["sslrootcert"] == "system"
        if let mode = params["sslmode"] {
            if let m = PostgresCheck.SSLMode(rawValue: mode) { s.sslMode = m } else {
                url?.fail("sslmode=\(mode) is not one of \(PostgresCheck.SSLMode.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            // libpq: the system store is only worth anything with the host name checked.
            if systemRoot, s.sslMode != .verifyFull {
                url?.fail("sslrootcert=system needs sslmode=verify-full (a weaker mode would trust any public certificate)")
            }
        } else if systemRoot {
            s.sslMode = .verifyFull
        }
        for (param, key) in [("sslrootcert", "ca_file"), ("sslcert", "cert_file"), ("sslkey", "key_file")] {
            guard let path = params[param], !(param == "sslrootcert" && systemRoot) else { continue }
            if node["tls"]?[key] != nil { url?.fail("\(param) and tls.\(key) both given: keep one") }
            guard let url else { continue }
            let bytes = pemFile(url.derived(path), holding: param == "sslkey" ? "PRIVATE KEY" : "CERTIFICATE")
            switch param {
            case "sslrootcert": s.tls.caPEM = bytes
            case "sslcert": s.tls.certificatePEM = bytes
            default: s.tls.keyPEM = bytes
            }
        }
        if (s.tls.certificatePEM == nil) != (s.tls.keyPEM == nil) { url?.fail("a client certificate needs both sslcert and sslkey") }
        // libpq: `require` with a root certificate given verifies the chain, like verify-ca.
        let insecure = !s.tls.verifyChain
        let rootGiven = s.tls.caPEM != nil
        s.tls.verifyChain = !insecure && (s.sslMode == .verifyCA || s.sslMode == .verifyFull || (s.sslMode == .require && rootGiven))
        s.tls.verifyHost = s.sslMode == .verifyFull
        if let cb = params["channel_binding"] {
            if let c = PostgresConfiguration.ChannelBinding(rawValue: cb) { s.channelBinding = c } else {
                url?.fail("channel_binding=\(cb) is not one of disable, prefer, require")
            }
            if s.channelBinding == .require, s.sslMode == .disable { url?.fail("channel_binding=require needs TLS: not with sslmode=disable") }
        }
        if let ra = params["require_auth"] {
            do throws(PostgresError) { s.authPolicy = try PostgresAuthPolicy(parsing: ra) } catch { url?.fail(error.message) }
        }
        return s
    }

    /// The `tls` block of a probe whose URL may be plain or secure: required to be absent for plain.
    func tlsBlock(for ep: Endpoint, secureScheme: String) -> TLSSettings? {
        guard ep.scheme == secureScheme else {
            if node["tls"] != nil { node["tls"]?.fail("applies to \(secureScheme):// URLs only") }
            return nil
        }
        return readTLS(node["tls"]) ?? TLSSettings()
    }
}
