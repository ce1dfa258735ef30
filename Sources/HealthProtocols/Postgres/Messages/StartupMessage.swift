extension PostgresFrontendMessage {
    /// No type byte: Int32 length, Int32 protocol version (3.0 = 196608), then name/value string
    /// pairs ended by a zero byte. `user` is required; `database` defaults to the user name on the
    /// server when absent.
    public struct StartupMessage: Sendable, Hashable {
        public static let protocolVersion3_0: Int32 = 196_608

        public var protocolVersion: Int32
        /// In this order on the wire.
        public var parameters: [(name: String, value: String)]

        public init(protocolVersion: Int32 = protocolVersion3_0, parameters: [(name: String, value: String)]) {
            self.protocolVersion = protocolVersion
            self.parameters = parameters
        }

        public func encoded() -> [UInt8] {
            PostgresFraming.frame(nil) { bytes in
                bytes.appendInt32(protocolVersion)
                for parameter in parameters {
                    bytes.appendCString(parameter.name)
                    bytes.appendCString(parameter.value)
                }
                bytes.append(0)
            }
        }

        public static func == (lhs: Self, rhs: Self) -> Bool {
            lhs.protocolVersion == rhs.protocolVersion
                && lhs.parameters.elementsEqual(rhs.parameters) { $0.name == $1.name && $0.value == $1.value }
        }

        public func hash(into hasher: inout Hasher) {
            hasher.combine(protocolVersion)
            for parameter in parameters {
                hasher.combine(parameter.name)
                hasher.combine(parameter.value)
            }
        }
    }
}
