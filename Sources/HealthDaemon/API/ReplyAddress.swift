/// Where an answer from another thread (the engine, a user-name lookup) goes back to on the loop.
/// Weak, so a client that left, or a server that stopped, is not kept for a reply nobody reads.
struct ReplyAddress {
    weak var server: APIServer?
    weak var client: APIServer.Client?

    /// Runs `body` if the server and the client are still there, the client on its own descriptor.
    func ifPresent(_ body: (APIServer, APIServer.Client) -> Void) {
        guard let server, let client, server.clients[client.fd] === client else { return }
        body(server, client)
    }
}
