extension PostgresFrontendMessage {
    /// `p`: the chosen mechanism's name, Int32 length of the initial response (-1 for none), the
    /// response (SCRAM client-first-message).
    package struct SASLInitialResponse: Sendable, Hashable {
        package var mechanism: String
        package var initialResponse: [UInt8]?

        package init(mechanism: String, initialResponse: [UInt8]?) {
            self.mechanism = mechanism
            self.initialResponse = initialResponse
        }

        package func encoded() -> [UInt8] {
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
