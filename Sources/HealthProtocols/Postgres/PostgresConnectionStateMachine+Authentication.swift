// Authentication: trust, cleartext, MD5 and SCRAM-SHA-256(-PLUS), the part of the conversation
// between StartupMessage and AuthenticationOk. What the server may ask for is bounded by the
// configuration's `authPolicy` (require_auth) and `channelBinding`: a server that asks for more than
// the user allows gets nothing, the password least of all.

extension PostgresConnectionStateMachine {
    mutating func beginAuthentication(_ request: PostgresBackendMessage.AuthenticationRequest) -> Action {
        switch request {
        case .ok:  // trust
            if let refusal = refuse(.none, "no authentication") { return refusal }
            state = .sessionSetup
            return .wait
        case .cleartextPassword:
            if let refusal = refuse(.password, "the password in clear text") { return refusal }
            guard let password = configuration.password else { return missingPassword("cleartext password") }
            guard !password.utf8.contains(0) else {
                return fail(PostgresError(.configuration, "the password contains a NUL character"))
            }
            state = .authenticating(.passwordSent)
            return .send(PostgresFrontendMessage.password(.init(password: password)).encoded())
        case .md5Password(let salt):
            if let refusal = refuse(.md5, "an MD5 password hash") { return refusal }
            guard let password = configuration.password else { return missingPassword("MD5 password") }
            state = .authenticating(.passwordSent)
            let message = PostgresFrontendMessage.PasswordMessage.md5(
                user: configuration.user, password: password, salt: salt)
            return .send(PostgresFrontendMessage.password(message).encoded())
        case .sasl(let mechanisms):
            if let refusal = refuse(.scramSHA256, "SCRAM-SHA-256") { return refusal }
            let binding: SCRAMSHA256Client.Binding
            // 'y' only when we could have bound: over TLS, with the certificate's hash, and PLUS not offered.
            switch (mechanisms.contains(SCRAMSHA256Client.mechanismPlus), overTLS, endPointHash) {
            case (true, true, let hash?) where configuration.channelBinding != .disable: binding = .serverEndPoint(hash)
            case (false, true, _?) where configuration.channelBinding != .disable: binding = .notOffered
            default: binding = .none
            }
            let offered = mechanisms.isEmpty ? "none" : mechanisms.joined(separator: ", ")
            if configuration.channelBinding == .require, case .serverEndPoint = binding {} else if configuration.channelBinding == .require {
                return fail(PostgresError(
                    .auth, "channel_binding=require, but SCRAM-SHA-256-PLUS cannot be used"
                        + (overTLS ? " (the server offers: \(offered))" : " without TLS")))
            }
            let mechanism = binding == .none || binding == .notOffered ? SCRAMSHA256Client.mechanism : SCRAMSHA256Client.mechanismPlus
            guard mechanisms.contains(mechanism) else {
                let reason =
                    mechanisms.contains(SCRAMSHA256Client.mechanismPlus)
                    ? "server requires SCRAM-SHA-256-PLUS (channel binding), which needs TLS"
                    : "server offers no SASL mechanism healthd supports (offered: \(offered.prefix(200)))"
                return fail(PostgresError(.auth, reason))
            }
            guard let password = configuration.password else { return missingPassword("SCRAM-SHA-256") }
            guard SCRAMSHA256Client.isValidNonce(clientNonce) else {
                return fail(
                    PostgresError(.configuration, "the SCRAM nonce is not printable ASCII without commas"))
            }
            let client = SCRAMSHA256Client(password: password, clientNonce: clientNonce, binding: binding)
            state = .authenticating(.scramClientFirstSent(client))
            let response = PostgresFrontendMessage.SASLInitialResponse(
                mechanism: client.mechanism, initialResponse: client.clientFirstMessage)
            return .send(PostgresFrontendMessage.saslInitialResponse(response).encoded())
        case .kerberosV5, .scmCredential, .gss, .sspi:
            let method =
                switch request {
                case .kerberosV5: "Kerberos V5"
                case .scmCredential: "SCM credential"
                case .gss: "GSSAPI"
                default: "SSPI"
                }
            return fail(
                PostgresError(
                    .auth,
                    "server requires \(method) authentication, which healthd does not support"
                        + " (use scram-sha-256, md5, password or trust in pg_hba.conf)"))
        case .gssContinue, .saslContinue, .saslFinal:
            return unexpected(.authentication(request))
        }
    }

    /// A failure if the policy forbids what the server asks for; nil if it may go ahead.
    mutating func refuse(_ method: PostgresAuthPolicy.Method, _ what: String) -> Action? {
        if configuration.channelBinding == .require, method != .scramSHA256 {
            return fail(PostgresError(
                .auth, "server asked for \(what), but channel_binding=require accepts only SCRAM-SHA-256-PLUS"))
        }
        guard !configuration.authPolicy.permits(method, overTLS: overTLS) else { return nil }
        let advice = configuration.authPolicy.allowed == nil
            ? "refused without TLS (use sslmode=require, or allow it with require_auth=password)"
            : "refused by \(configuration.authPolicy)"
        return fail(PostgresError(.auth, "server asked for \(what): \(advice)"))
    }

    mutating func continueAuthentication(
        _ step: Authentication, _ request: PostgresBackendMessage.AuthenticationRequest
    ) -> Action {
        switch (step, request) {
        case (.passwordSent, .ok), (.scramVerified, .ok):
            state = .sessionSetup
            return .wait
        case (.scramClientFirstSent(let client), .saslContinue(let data)):
            do {
                let final = try client.respond(toServerFirst: data, maxIterations: configuration.maxSCRAMIterations)
                state = .authenticating(.scramClientFinalSent(expectedServerSignature: final.expectedServerSignature))
                return .send(PostgresFrontendMessage.saslResponse(.init(data: final.message)).encoded())
            } catch {
                return fail(error)
            }
        case (.scramClientFinalSent(let expected), .saslFinal(let data)):
            do {
                try SCRAMSHA256Client.verifyServerFinal(data, expectedServerSignature: expected)
                state = .authenticating(.scramVerified)
                return .wait
            } catch {
                return fail(error)
            }
        case (.scramClientFirstSent, .ok), (.scramClientFinalSent, .ok):
            // Accepting this would let anyone impersonate the server without knowing the password.
            return fail(
                PostgresError(
                    .auth,
                    "server sent AuthenticationOk before completing SCRAM-SHA-256:"
                        + " it did not prove it knows the password"
                ))
        default:
            return unexpected(.authentication(request))
        }
    }
}
