import HealthProtocols

/// Server bytes as the replies to four probes: PING; AUTH with an ACL user, SELECT and INFO with a
/// field; AUTH and LLEN; GET. The outcome must not depend on how the bytes were split, and no
/// message of a probe that holds the password may show it, whatever the server echoes.
enum RedisProbeFuzz {
    static let password = "pencil"

    static let probes: [(probe: RedisProbeStateMachine, knowsPassword: Bool)] = [
        (RedisProbeStateMachine(), false),
        (RedisProbeStateMachine(
            username: "probe", password: password, database: 2, command: ["INFO", "clients"], infoField: "connected_clients"), true),
        (RedisProbeStateMachine(password: password, command: ["LLEN", "celery"]), true),
        (RedisProbeStateMachine(command: ["GET", "k"]), false),
    ]

    static func run(_ input: [UInt8]) -> FuzzOutcome {
        var outcome = FuzzOutcome()
        for (probe, knowsPassword) in probes {
            let whole = converse([input[...]], probe, into: &outcome)
            let split = converse(Chunks.split(input), probe, into: &outcome)
            outcome.expect(whole == split, "whole \(whole), split \(split)")
            // A probe without the password cannot hide what the server says.
            outcome.expect(!knowsPassword || !"\(whole)".contains(password), "the password shows in \(whole)")
        }
        return outcome
    }

    private static func converse(
        _ chunks: [ArraySlice<UInt8>], _ probe: RedisProbeStateMachine, into outcome: inout FuzzOutcome
    ) -> RedisProbeStateMachine.Action {
        var probe = probe
        var parser = RESPParser(attributes: .attach)
        var buffer: [UInt8] = []
        var action = probe.start()
        reading: for chunk in chunks {
            buffer += chunk
            while !probe.isDone {
                let reply: RESPValue?
                do {
                    reply = try parser.next(from: &buffer)
                } catch {
                    action = probe.parseFailed(error)
                    break reading
                }
                guard let reply else { break }
                action = probe.receive(reply)
                if case .send(let bytes) = action { outcome.outputSize += bytes.count }
            }
            if probe.isDone { break }
        }
        if !probe.isDone { action = probe.connectionClosed() }
        outcome.outputSize += "\(action)".utf8.count
        return action
    }
}
