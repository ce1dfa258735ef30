extension PostgresBackendMessage {
    /// `A`: Int32 process ID of the notifying backend, channel name, payload (LISTEN/NOTIFY).
    package struct NotificationResponse: Sendable, Hashable {
        package var processID: Int32
        package var channel: String
        package var payload: String

        package init(processID: Int32, channel: String, payload: String) {
            self.processID = processID
            self.channel = channel
            self.payload = payload
        }

        static func decode(_ reader: inout PostgresMessageReader) throws(PostgresError) -> Self {
            NotificationResponse(
                processID: try reader.readInt32("process ID"), channel: try reader.readCString("channel"),
                payload: try reader.readCString("payload"))
        }
    }
}
