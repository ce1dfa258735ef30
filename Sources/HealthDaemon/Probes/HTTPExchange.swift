import HealthCore
import HealthProtocols

/// One HTTP/1.1 request over a fresh connection, the response parsed as it arrives.
/// The `http` and `prometheus` probes are built on it.
final class HTTPExchange {
    private let connection: StreamConnection
    private let host: String
    private let port: UInt16
    private let request: [UInt8]
    private var parser: HTTPResponseParser

    init(context: ProbeContext, host: String, port: UInt16, request: [UInt8], maxBody: Int = 64 * 1024, head: Bool = false) {
        self.connection = StreamConnection(context: context)
        self.host = host
        self.port = port
        self.request = request
        self.parser = HTTPResponseParser(maxBodyBytes: maxBody, responseToHEAD: head)
    }

    func start(_ done: @escaping (Result<HTTPResponse, ProbeFailure>) -> Void) {
        // Weak: finishing releases the attempt while the connection is still unwinding.
        connection.onBytes = { [weak self] bytes in
            guard let self else { return false }
            do throws(HTTPParseError) {
                guard try parser.feed(bytes) == .complete, let response = parser.response else { return true }
                done(.success(response))
            } catch {
                done(.failure(ProbeFailure(.protocol, error.description)))
            }
            return false
        }
        connection.onClose = { [weak self] failure in
            guard let self else { return }
            if let failure { return done(.failure(failure)) }
            do throws(HTTPParseError) { done(.success(try parser.finish())) } catch {
                done(.failure(ProbeFailure(.protocol, error.description)))
            }
        }
        connection.connect(host: host, port: port) { [weak self] failure in
            guard let self else { return }
            if let failure { return done(.failure(failure)) }
            connection.send(request)
        }
    }

    func abort() { connection.close() }
}
