import Foundation
import FuzzTargets
import Testing
import HealthAPI

/// Every input the fuzzers were seeded with or kept (`Fuzz/corpus/<target>/`) goes through the
/// fuzzer's entry point again, without libFuzzer: a parser that regresses on one fails here.
@Suite struct FuzzCorpusTests {
    static let corpus = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz/corpus")

    static func inputs(_ target: String) throws -> [(name: String, bytes: [UInt8])] {
        let dir = corpus.appendingPathComponent(target)
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        return try names.map { ($0, [UInt8](try Data(contentsOf: dir.appendingPathComponent($0)))) }
    }

    @Test(arguments: FuzzTarget.allCases)
    func corpusReplays(_ target: FuzzTarget) throws {
        let inputs = try Self.inputs(target.rawValue)
        #expect(inputs.count >= 5, "a corpus of \(inputs.count) inputs")
        for (name, bytes) in inputs {
            let failure = target.run(bytes).failure(limit: target.outputLimit(forInputOf: bytes.count))
            #expect(failure == nil, "\(target.rawValue)/\(name)")
        }
    }

    /// The socket's request decoder (its fuzzer is `Fuzz/api-request`).
    @Test func apiRequestCorpusReplays() throws {
        let inputs = try Self.inputs("api-request")
        #expect(inputs.count >= 5, "a corpus of \(inputs.count) inputs")
        var decoded = 0
        for (name, bytes) in inputs {
            do {
                _ = try APIRequest(line: bytes[...])
                decoded += 1
            } catch {
                #expect(error.message.utf8.count <= bytes.count + 1024, "api-request/\(name)")
            }
        }
        #expect(decoded > 0, "no request in the corpus decodes")
    }
}
