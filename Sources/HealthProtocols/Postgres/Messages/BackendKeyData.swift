extension PostgresBackendMessage {
    /// `K`: Int32 process ID, then the cancellation secret key (4 bytes in protocol 3.0, up to 256
    /// bytes in 3.2).
    package struct BackendKeyData: Sendable, Hashable {
        package var processID: Int32
        package var secretKey: [UInt8]

        package init(processID: Int32, secretKey: [UInt8]) {
            self.processID = processID
            self.secretKey = secretKey
        }

        static func decode(_ reader: inout PostgresMessageReader) throws(PostgresError) -> Self {
            let processID = try reader.readInt32("process ID")
            guard (4...256).contains(reader.remaining) else {
                throw reader.malformed("secret key of \(reader.remaining) bytes (expected 4 to 256)")
            }
            return BackendKeyData(processID: processID, secretKey: reader.readRest())
        }
    }
}
