// Messages from the server (backend), as decoded by `PostgresMessageDecoder`.
// https://www.postgresql.org/docs/current/protocol-message-formats.html

package enum PostgresBackendMessage: Sendable, Equatable, CustomStringConvertible {
    /// The single unframed byte answering SSLRequest (`S` or `N`).
    case sslResponse(SSLResponse)
    case authentication(AuthenticationRequest)
    case backendKeyData(BackendKeyData)
    case commandComplete(CommandComplete)
    case dataRow(DataRow)
    case emptyQueryResponse
    case errorResponse(ErrorResponse)
    case negotiateProtocolVersion(NegotiateProtocolVersion)
    case noticeResponse(NoticeResponse)
    case notificationResponse(NotificationResponse)
    case parameterStatus(ParameterStatus)
    case readyForQuery(ReadyForQuery)
    case rowDescription(RowDescription)
    /// A well-framed message of a known type that a simple-query client never expects (COPY,
    /// extended-query replies, function call results). Its body is kept raw.
    case unhandled(ID, body: [UInt8])

    /// The message type bytes a backend may send.
    package enum ID: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
        case authentication = 0x52  // R
        case backendKeyData = 0x4B  // K
        case bindComplete = 0x32  // 2
        case closeComplete = 0x33  // 3
        case commandComplete = 0x43  // C
        case copyData = 0x64  // d
        case copyDone = 0x63  // c
        case copyInResponse = 0x47  // G
        case copyOutResponse = 0x48  // H
        case copyBothResponse = 0x57  // W
        case dataRow = 0x44  // D
        case emptyQueryResponse = 0x49  // I
        case errorResponse = 0x45  // E
        case functionCallResponse = 0x56  // V
        case negotiateProtocolVersion = 0x76  // v
        case noData = 0x6E  // n
        case noticeResponse = 0x4E  // N
        case notificationResponse = 0x41  // A
        case parameterDescription = 0x74  // t
        case parameterStatus = 0x53  // S
        case parseComplete = 0x31  // 1
        case portalSuspended = 0x73  // s
        case readyForQuery = 0x5A  // Z
        case rowDescription = 0x54  // T

        /// The name used by the protocol documentation.
        package var name: String {
            switch self {
            case .authentication: "Authentication"
            case .backendKeyData: "BackendKeyData"
            case .bindComplete: "BindComplete"
            case .closeComplete: "CloseComplete"
            case .commandComplete: "CommandComplete"
            case .copyData: "CopyData"
            case .copyDone: "CopyDone"
            case .copyInResponse: "CopyInResponse"
            case .copyOutResponse: "CopyOutResponse"
            case .copyBothResponse: "CopyBothResponse"
            case .dataRow: "DataRow"
            case .emptyQueryResponse: "EmptyQueryResponse"
            case .errorResponse: "ErrorResponse"
            case .functionCallResponse: "FunctionCallResponse"
            case .negotiateProtocolVersion: "NegotiateProtocolVersion"
            case .noData: "NoData"
            case .noticeResponse: "NoticeResponse"
            case .notificationResponse: "NotificationResponse"
            case .parameterDescription: "ParameterDescription"
            case .parameterStatus: "ParameterStatus"
            case .parseComplete: "ParseComplete"
            case .portalSuspended: "PortalSuspended"
            case .readyForQuery: "ReadyForQuery"
            case .rowDescription: "RowDescription"
            }
        }

        /// `DataRow ('D')`
        package var description: String { "\(name) ('\(Character(Unicode.Scalar(rawValue)))')" }
    }

    /// The type byte; nil for the unframed SSL response.
    package var id: ID? {
        switch self {
        case .sslResponse: nil
        case .authentication: .authentication
        case .backendKeyData: .backendKeyData
        case .commandComplete: .commandComplete
        case .dataRow: .dataRow
        case .emptyQueryResponse: .emptyQueryResponse
        case .errorResponse: .errorResponse
        case .negotiateProtocolVersion: .negotiateProtocolVersion
        case .noticeResponse: .noticeResponse
        case .notificationResponse: .notificationResponse
        case .parameterStatus: .parameterStatus
        case .readyForQuery: .readyForQuery
        case .rowDescription: .rowDescription
        case .unhandled(let id, _): id
        }
    }

    /// The message's name for error messages: `DataRow ('D')`, `AuthenticationSASLContinue ('R')`,
    /// `SSL response 'S'`. Never includes the body.
    package var name: String {
        switch self {
        case .sslResponse(let response): "SSL response '\(Character(Unicode.Scalar(response.rawValue)))'"
        case .authentication(let request): "\(request.name) ('R')"
        default: id.map { $0.description } ?? "message"
        }
    }

    package var description: String { name }
}

extension PostgresBackendMessage {
    /// Decodes the body of a framed message of type `id` (the bytes after the length field).
    static func decode(_ id: ID, body: ArraySlice<UInt8>) throws(PostgresError) -> PostgresBackendMessage {
        var reader = PostgresMessageReader(body, messageName: id.description)
        let message: PostgresBackendMessage
        switch id {
        case .authentication: message = .authentication(try AuthenticationRequest.decode(&reader))
        case .backendKeyData: message = .backendKeyData(try BackendKeyData.decode(&reader))
        case .commandComplete: message = .commandComplete(try CommandComplete.decode(&reader))
        case .dataRow: message = .dataRow(try DataRow.decode(&reader))
        case .emptyQueryResponse: message = .emptyQueryResponse  // no body; `finish()` checks that
        case .errorResponse: message = .errorResponse(try ErrorResponse.decode(&reader))
        case .negotiateProtocolVersion:
            message = .negotiateProtocolVersion(try NegotiateProtocolVersion.decode(&reader))
        case .noticeResponse: message = .noticeResponse(try NoticeResponse.decode(&reader))
        case .notificationResponse: message = .notificationResponse(try NotificationResponse.decode(&reader))
        case .parameterStatus: message = .parameterStatus(try ParameterStatus.decode(&reader))
        case .readyForQuery: message = .readyForQuery(try ReadyForQuery.decode(&reader))
        case .rowDescription: message = .rowDescription(try RowDescription.decode(&reader))
        default: message = .unhandled(id, body: reader.readRest())
        }
        try reader.finish()
        return message
    }
}
