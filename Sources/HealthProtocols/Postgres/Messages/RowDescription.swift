extension PostgresBackendMessage {
    /// `T`: Int16 field count, then per field: name, Int32 table OID, Int16 column attribute number,
    /// Int32 type OID, Int16 type size, Int32 type modifier, Int16 format code (0 text, 1 binary).
    package struct RowDescription: Sendable, Hashable {
        package struct Column: Sendable, Hashable {
            package var name: String
            package var tableOID: Int32
            package var columnAttributeNumber: Int16
            package var dataTypeOID: Int32
            package var dataTypeSize: Int16
            package var typeModifier: Int32
            package var formatCode: Int16

            package init(
                name: String, tableOID: Int32 = 0, columnAttributeNumber: Int16 = 0, dataTypeOID: Int32,
                dataTypeSize: Int16 = -1, typeModifier: Int32 = -1, formatCode: Int16 = 0
            ) {
                self.name = name
                self.tableOID = tableOID
                self.columnAttributeNumber = columnAttributeNumber
                self.dataTypeOID = dataTypeOID
                self.dataTypeSize = dataTypeSize
                self.typeModifier = typeModifier
                self.formatCode = formatCode
            }
        }

        package var columns: [Column]

        package init(columns: [Column]) { self.columns = columns }

        static func decode(_ reader: inout PostgresMessageReader) throws(PostgresError) -> Self {
            let count = try reader.readInt16("field count")
            guard count >= 0 else { throw reader.malformed("negative field count \(count)") }
            // Each field needs at least 19 bytes (an empty name's NUL and 18 bytes of numbers).
            guard Int(count) * 19 <= reader.remaining else {
                throw reader.malformed("\(count) fields do not fit in \(reader.remaining) bytes")
            }
            var columns: [Column] = []
            columns.reserveCapacity(Int(count))
            for _ in 0..<Int(count) {
                columns.append(
                    Column(
                        name: try reader.readCString("field name"), tableOID: try reader.readInt32("table OID"),
                        columnAttributeNumber: try reader.readInt16("column attribute number"),
                        dataTypeOID: try reader.readInt32("type OID"), dataTypeSize: try reader.readInt16("type size"),
                        typeModifier: try reader.readInt32("type modifier"),
                        formatCode: try reader.readInt16("format code")))
            }
            return RowDescription(columns: columns)
        }
    }
}
