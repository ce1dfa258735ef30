extension PostgresBackendMessage {
    /// `Z`: one byte, the transaction status.
    package struct ReadyForQuery: Sendable, Hashable {
        package enum TransactionStatus: UInt8, Sendable, Hashable {
            /// `I`: not in a transaction block.
            case idle = 0x49
            /// `T`: in a transaction block.
            case inTransaction = 0x54
            /// `E`: in a failed transaction block.
            case failedTransaction = 0x45
        }

        package var transactionStatus: TransactionStatus

        package init(transactionStatus: TransactionStatus) { self.transactionStatus = transactionStatus }

        static func decode(_ reader: inout PostgresMessageReader) throws(PostgresError) -> Self {
            let byte = try reader.readUInt8("transaction status")
            guard let status = TransactionStatus(rawValue: byte) else {
                throw reader.malformed("unknown transaction status \(PostgresFraming.describeByte(byte))")
            }
            return ReadyForQuery(transactionStatus: status)
        }
    }
}
