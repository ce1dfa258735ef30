import Foundation

/// Reads a `tls` block. Files are read now: an unreadable or non-PEM file is a config error
/// naming its field, and the key's contents are never quoted.
func readTLS(_ n: Node?) -> TLSSettings? {
    guard let n else { return nil }
    guard n.requireObject() else { return nil }
    var settings = TLSSettings()
    settings.caPEM = n["ca_file"].flatMap { pemFile($0, holding: "CERTIFICATE") }
    settings.certificatePEM = n["cert_file"].flatMap { pemFile($0, holding: "CERTIFICATE") }
    settings.keyPEM = n["key_file"].flatMap { pemFile($0, holding: "PRIVATE KEY") }
    if let s = n["server_name"], let name = s.string {
        if name.isEmpty || name.contains(where: { $0.isWhitespace || $0 == "/" }) { s.fail("\"\(name)\" is not a host name") }
        settings.serverName = name
    }
    if n["insecure_skip_verify"]?.bool == true { settings.verifyChain = false }
    if (settings.certificatePEM == nil) != (settings.keyPEM == nil), n["cert_file"] != nil || n["key_file"] != nil {
        n.fail("a client certificate needs both cert_file and key_file")
    }
    n.rejectUnknownKeys()
    return settings
}

/// A PEM file's bytes, if it can be read and holds a `-----BEGIN … <kind>-----` block. At most 1 MiB.
func pemFile(_ n: Node, holding kind: String) -> [UInt8]? {
    guard let raw = n.string else { return nil }
    let path = expandEnvironment(raw)
    let bytes: [UInt8]
    switch BoundedFile.read(path, limit: 1 << 20) {
    case .data(let data):
        bytes = [UInt8](data)
    case .unreadable:
        n.fail("cannot read \(path) (does it exist, and may healthd read it?)")
        return nil
    case .tooLarge:
        n.fail("\(path) is larger than 1 MiB: not a PEM file")
        return nil
    }
    let text = String(decoding: bytes, as: UTF8.self)
    guard text.contains("-----BEGIN"), text.contains(kind + "-----") else {
        n.fail("\(path) holds no PEM \(kind.lowercased()) (-----BEGIN … \(kind)-----)")
        return nil
    }
    return bytes
}
