// What a successful probe conversation produced.

package struct PostgresResult: Sendable, Equatable, CustomStringConvertible {
    /// The first column of the first row of the query's last result set, as the server's text;
    /// nil for SQL NULL or when there is no row or no column.
    package var value: String?
    /// That column's type OID (see `PostgresType`); nil when the last result had no columns.
    package var typeOID: Int32?
    /// That column's name (`?column?` for an unnamed expression); nil when there was no column.
    package var columnName: String?
    /// The last result set has at least one row.
    package var hasRows: Bool
    /// Rows of the last result set.
    package var rowCount: Int
    /// CommandComplete tag of the last statement (`SELECT 1`); nil for an empty query.
    package var commandTag: String?
    /// Rows of the details query (its last result set), at most `detailsRowLimit`.
    package var details: [[(column: String, value: String?)]]
    /// The details query returned more rows than `details` holds.
    package var detailsTruncated: Bool
    /// ParameterStatus values the server reported (server_version, server_encoding, TimeZone, …).
    package var serverParameters: [String: String]
    /// From BackendKeyData.
    package var backendProcessID: Int32?

    package init(
        value: String? = nil, typeOID: Int32? = nil, columnName: String? = nil, hasRows: Bool = false,
        rowCount: Int = 0, commandTag: String? = nil, details: [[(column: String, value: String?)]] = [],
        detailsTruncated: Bool = false, serverParameters: [String: String] = [:], backendProcessID: Int32? = nil
    ) {
        self.value = value
        self.typeOID = typeOID
        self.columnName = columnName
        self.hasRows = hasRows
        self.rowCount = rowCount
        self.commandTag = commandTag
        self.details = details
        self.detailsTruncated = detailsTruncated
        self.serverParameters = serverParameters
        self.backendProcessID = backendProcessID
    }

    /// `value` as a number (see `PostgresType.numericValue`); nil for NULL or no row.
    package func numericValue() -> Result<Double?, PostgresError> {
        guard let value else { return .success(nil) }
        return PostgresType.numericValue(text: value, typeOID: typeOID ?? 0)
    }

    package static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.value == rhs.value && lhs.typeOID == rhs.typeOID && lhs.columnName == rhs.columnName
            && lhs.hasRows == rhs.hasRows && lhs.rowCount == rhs.rowCount && lhs.commandTag == rhs.commandTag
            && lhs.detailsTruncated == rhs.detailsTruncated && lhs.serverParameters == rhs.serverParameters
            && lhs.backendProcessID == rhs.backendProcessID
            && lhs.details.elementsEqual(rhs.details) { left, right in
                left.elementsEqual(right) { $0.column == $1.column && $0.value == $1.value }
            }
    }

    package var description: String {
        var text = "PostgresResult("
        if let columnName {
            text += "\(columnName) \(PostgresType.name(ofOID: typeOID ?? 0)) = \(value.map { "\"\($0)\"" } ?? "NULL"), "
        }
        text += "\(rowCount) row\(rowCount == 1 ? "" : "s")"
        if let commandTag { text += ", \(commandTag)" }
        if !details.isEmpty || detailsTruncated {
            text +=
                ", \(details.count) detail row\(details.count == 1 ? "" : "s")\(detailsTruncated ? " (truncated)" : "")"
        }
        return text + ")"
    }
}
