extension PostgresFrontendMessage {
    /// No type byte: Int32 length, Int32 protocol version (3.0 = 196608), then name/value string
    /// pairs ended by a zero byte. `user` is required; `database` defaults to the user name on the
    /// server when absent.
    package struct StartupMessage: Sendable, Hashable {
        package static let protocolVersion3_0: Int32 = 196_608

        package var protocolVersion: Int32
        /// In this order on the wire.
        package var parameters: [(name: String, value: String)]

        package init(protocolVersion: Int32 = protocolVersion3_0, parameters: [(name: String, value: String)]) {
            self.protocolVersion = protocolVersion
            self.parameters = parameters
        }

        package func encoded() -> [UInt8] {
            PostgresFraming.frame(nil) { bytes in
                bytes.appendInt32(protocolVersion)
                for parameter in parameters {
                    bytes.appendCString(parameter.name)
                    bytes.appendCString(parameter.value)
                }
                bytes.append(0)
            }
        }

        package static func == (lhs: Self, rhs: Self) -> Bool {
            lhs.protocolVersion == rhs.protocolVersion
                && lhs.parameters.elementsEqual(rhs.parameters) { $0.name == $1.name && $0.value == $1.value }
        }

        package func hash(into hasher: inout Hasher) {
            hasher.combine(protocolVersion)
            for parameter in parameters {
                hasher.combine(parameter.name)
                hasher.combine(parameter.value)
            }
        }
    }
}
