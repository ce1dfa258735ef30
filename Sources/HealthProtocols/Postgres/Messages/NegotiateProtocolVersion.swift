extension PostgresBackendMessage {
    /// `v`: Int32 newest minor protocol version the server supports, Int32 count, then the names of
    /// the protocol options (`_pq_.…`) it did not recognize.
    package struct NegotiateProtocolVersion: Sendable, Hashable {
        package var newestMinorVersion: Int32
        package var unrecognizedOptions: [String]

        package init(newestMinorVersion: Int32, unrecognizedOptions: [String]) {
            self.newestMinorVersion = newestMinorVersion
            self.unrecognizedOptions = unrecognizedOptions
        }

        static func decode(_ reader: inout PostgresMessageReader) throws(PostgresError) -> Self {
            let minor = try reader.readInt32("newest minor version")
            let count = try reader.readInt32("option count")
            // Each name needs at least its NUL.
            guard count >= 0, Int(count) <= reader.remaining else {
                throw reader.malformed("option count \(count) with \(reader.remaining) bytes left")
            }
            var options: [String] = []
            for _ in 0..<Int(count) { options.append(try reader.readCString("option name")) }
            return NegotiateProtocolVersion(newestMinorVersion: minor, unrecognizedOptions: options)
        }
    }
}
