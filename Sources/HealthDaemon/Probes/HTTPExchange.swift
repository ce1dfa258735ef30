import HealthConfig
import HealthCore
import HealthProtocols
import HealthTLS

/// One HTTP/1.1 request over a fresh connection (and, for `https`, a full TLS handshake), the
/// response parsed as it arrives. The `http` and `prometheus` probes and the HTTP hooks are built on it.
final class HTTPExchange {
    private let connection: StreamConnection
    private let host: String
    private let port: UInt16
    private let tls: TLSSettings?
    private let request: [UInt8]
    private var parser: HTTPResponseParser

    init(context: ProbeContext, host: String, port: UInt16, tls: TLSSettings?, request: [UInt8],
         maxBody: Int = 64 * 1024, head: Bool = false) {
        self.connection = StreamConnection(context: context)
        self.host = host
        self.port = port
        self.tls = tls
        self.request = request
        self.parser = HTTPResponseParser(maxBodyBytes: maxBody, responseToHEAD: head)
    }

    var connectionFacts: ConnectionFacts { ConnectionFacts(connection) }

    func start(_ done: @escaping (Result<HTTPResponse, ProbeFailure>) -> Void) {
        // Weak: finishing releases the attempt while the connection is still unwinding.
        connection.onBytes = { [weak self] bytes in
            guard let self else { return false }
            do throws(HTTPParseError) {
                guard try parser.feed(bytes) == .complete, let response = parser.response else { return true }
                if response.status >= 400, connection.askedForMissingClientCertificate {
                    let refusal = TLSClientSession.clientCertificateMissing.message
                    done(.failure(ProbeFailure(.tls, "\(refusal); it answered HTTP \(response.status)")))
                } else {
                    done(.success(response))
                }
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
        connection.open(host: host, port: port, tls: tls) { [weak self] failure in
            guard let self else { return }
            if let failure { return done(.failure(failure)) }
            connection.send(request)
        }
    }

    func abort() { connection.close() }
}
