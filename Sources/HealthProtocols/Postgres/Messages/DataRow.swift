extension PostgresBackendMessage {
    /// `D`: Int16 column count, then per column an Int32 length (-1 for NULL) and that many bytes.
    package struct DataRow: Sendable, Hashable {
        /// Raw column values (text format in the simple query protocol); nil is SQL NULL.
        package var values: [[UInt8]?]

        package init(values: [[UInt8]?]) { self.values = values }

        static func decode(_ reader: inout PostgresMessageReader) throws(PostgresError) -> Self {
            let count = try reader.readInt16("column count")
            guard count >= 0 else { throw reader.malformed("negative column count \(count)") }
            // Each column needs at least its 4-byte length: refuse impossible counts before allocating.
            guard Int(count) * 4 <= reader.remaining else {
                throw reader.malformed("\(count) columns do not fit in \(reader.remaining) bytes")
            }
            var values: [[UInt8]?] = []
            values.reserveCapacity(Int(count))
            for column in 0..<Int(count) {
                let length = try reader.readInt32("length of column \(column)")
                if length == -1 {
                    values.append(nil)
                } else if length < 0 {
                    throw reader.malformed("column \(column) has negative length \(length)")
                } else {
                    values.append(try reader.readBytes(Int(length), "column \(column)"))
                }
            }
            return DataRow(values: values)
        }
    }
}
