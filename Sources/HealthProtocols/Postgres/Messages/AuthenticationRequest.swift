extension PostgresBackendMessage {
    /// `R`: Int32 code, then code-specific data.
    package enum AuthenticationRequest: Sendable, Hashable {
        /// 0: AuthenticationOk.
        case ok
        /// 2: AuthenticationKerberosV5 (no longer supported by servers).
        case kerberosV5
        /// 3: AuthenticationCleartextPassword.
        case cleartextPassword
        /// 5: AuthenticationMD5Password with a 4-byte salt.
        case md5Password(salt: [UInt8])
        /// 6: AuthenticationSCMCredential (pre-9.1 servers).
        case scmCredential
        /// 7: AuthenticationGSS.
        case gss
        /// 8: AuthenticationGSSContinue.
        case gssContinue(data: [UInt8])
        /// 9: AuthenticationSSPI.
        case sspi
        /// 10: AuthenticationSASL: the mechanisms the server accepts, in its order of preference.
        case sasl(mechanisms: [String])
        /// 11: AuthenticationSASLContinue: the mechanism's challenge (SCRAM server-first-message).
        case saslContinue(data: [UInt8])
        /// 12: AuthenticationSASLFinal: the outcome (SCRAM server-final-message).
        case saslFinal(data: [UInt8])

        /// `AuthenticationMD5Password`, as the protocol documentation names it.
        package var name: String {
            switch self {
            case .ok: "AuthenticationOk"
            case .kerberosV5: "AuthenticationKerberosV5"
            case .cleartextPassword: "AuthenticationCleartextPassword"
            case .md5Password: "AuthenticationMD5Password"
            case .scmCredential: "AuthenticationSCMCredential"
            case .gss: "AuthenticationGSS"
            case .gssContinue: "AuthenticationGSSContinue"
            case .sspi: "AuthenticationSSPI"
            case .sasl: "AuthenticationSASL"
            case .saslContinue: "AuthenticationSASLContinue"
            case .saslFinal: "AuthenticationSASLFinal"
            }
        }

        static func decode(_ reader: inout PostgresMessageReader) throws(PostgresError) -> Self {
            let code = try reader.readInt32("authentication code")
            switch code {
            case 0: return .ok
            case 2: return .kerberosV5
            case 3: return .cleartextPassword
            case 5: return .md5Password(salt: try reader.readBytes(4, "MD5 salt"))
            case 6: return .scmCredential
            case 7: return .gss
            case 8: return .gssContinue(data: reader.readRest())
            case 9: return .sspi
            case 10:
                // A list of NUL-terminated names ended by an empty name.
                var mechanisms: [String] = []
                while true {
                    let name = try reader.readCString("SASL mechanism name")
                    if name.isEmpty { break }
                    mechanisms.append(name)
                }
                return .sasl(mechanisms: mechanisms)
            case 11: return .saslContinue(data: reader.readRest())
            case 12: return .saslFinal(data: reader.readRest())
            default: throw reader.malformed("unknown authentication request code \(code)")
            }
        }
    }
}
