import HealthProtocols

/// Server bytes as the response to GET and to HEAD, with the default limits and with tiny ones (so
/// small inputs reach the over-limit paths), each whole and split into reads: the parser promises
/// the same response or error however the bytes arrive.
enum HTTPFuzz {
    static func run(_ input: [UInt8]) -> FuzzOutcome {
        var outcome = FuzzOutcome()
        for (head, maxHeader, maxBody) in [(false, 64 * 1024, 1 << 20), (true, 64 * 1024, 1 << 20), (false, 64, 16)] {
            let whole = parse([input[...]], head: head, maxHeader: maxHeader, maxBody: maxBody)
            let split = parse(Chunks.split(input), head: head, maxHeader: maxHeader, maxBody: maxBody)
            outcome.expect(whole == split, "HEAD \(head), limits \(maxHeader)/\(maxBody): whole \(whole), split \(split)")
            switch whole {
            case .success(let response):
                outcome.expect(response.body.count <= maxBody, "kept \(response.body.count) body bytes, limit \(maxBody)")
                outcome.expect(response.bodyLength >= response.body.count, "bodyLength \(response.bodyLength) < kept \(response.body.count)")
                outcome.outputSize += response.body.count + response.reason.utf8.count
                    + (response.headers + response.trailers).reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count }
            case .failure(let error):
                outcome.outputSize += error.description.utf8.count
            }
        }
        return outcome
    }

    private static func parse(
        _ chunks: [ArraySlice<UInt8>], head: Bool, maxHeader: Int, maxBody: Int
    ) -> Result<HTTPResponse, HTTPParseError> {
        var parser = HTTPResponseParser(maxHeaderBytes: maxHeader, maxBodyBytes: maxBody, responseToHEAD: head)
        do throws(HTTPParseError) {
            for chunk in chunks where try parser.feed(Array(chunk)) == .complete { break }
            return .success(try parser.finish())
        } catch {
            return .failure(error)
        }
    }
}
