extension PostgresFrontendMessage {
    /// `p`: the chosen mechanism's name, Int32 length of the initial response (-1 for none), the
    /// response (SCRAM client-first-message).
    public struct SASLInitialResponse: Sendable, Hashable {
        public var mechanism: String
        public var initialResponse: [UInt8]?

        public init(mechanism: String, initialResponse: [UInt8]?) {
            self.mechanism = mechanism
            self.initialResponse = initialResponse
        }

        public func encoded() -> [UInt8] {
            PostgresFraming.frame(UInt8(ascii: "p")) { bytes in
                bytes.appendCString(mechanism)
                if let initialResponse {
                    bytes.appendInt32(Int32(initialResponse.count))
                    bytes.append(contentsOf: initialResponse)
                } else {
                    bytes.appendInt32(-1)
                }
            }
        }
    }
}
