// Authentication: trust, cleartext, MD5 and SCRAM-SHA-256, the part of the conversation
// between StartupMessage and AuthenticationOk.

extension PostgresConnectionStateMachine {
    mutating func beginAuthentication(_ request: PostgresBackendMessage.AuthenticationRequest) -> Action {
        switch request {
        case .ok:  // trust
            state = .sessionSetup
            return .wait
        case .cleartextPassword:
            guard let password = configuration.password else { return missingPassword("cleartext password") }
            guard !password.utf8.contains(0) else {
                return fail(PostgresError(.configuration, "the password contains a NUL character"))
            }
            state = .authenticating(.passwordSent)
            return .send(PostgresFrontendMessage.password(.init(password: password)).encoded())
        case .md5Password(let salt):
            guard let password = configuration.password else { return missingPassword("MD5 password") }
            state = .authenticating(.passwordSent)
            let message = PostgresFrontendMessage.PasswordMessage.md5(
                user: configuration.user, password: password, salt: salt)
            return .send(PostgresFrontendMessage.password(message).encoded())
        case .sasl(let mechanisms):
            guard mechanisms.contains(SCRAMSHA256Client.mechanism) else {
                let offered = mechanisms.isEmpty ? "none" : mechanisms.joined(separator: ", ")
                let reason =
                    mechanisms.contains("SCRAM-SHA-256-PLUS")
                    ? "server requires SCRAM-SHA-256-PLUS (channel binding), which needs TLS"
                    : "server offers no SASL mechanism healthd supports (offered: \(offered))"
                return fail(PostgresError(.auth, reason))
            }
            guard let password = configuration.password else { return missingPassword("SCRAM-SHA-256") }
            guard SCRAMSHA256Client.isValidNonce(clientNonce) else {
                return fail(
                    PostgresError(.configuration, "the SCRAM nonce is not printable ASCII without commas"))
            }
            let client = SCRAMSHA256Client(password: password, clientNonce: clientNonce)
            state = .authenticating(.scramClientFirstSent(client))
            let response = PostgresFrontendMessage.SASLInitialResponse(
                mechanism: SCRAMSHA256Client.mechanism, initialResponse: client.clientFirstMessage)
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
