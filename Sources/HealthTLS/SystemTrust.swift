import COpenSSL

/// The system's trusted CAs, read once per process and shared by every context that uses them.
/// `preload()` at start-up keeps that read off the event loop.
package enum SystemTrust {
    /// An X509_STORE is safe to share between threads once loaded; nothing changes it after that.
    final class Store: @unchecked Sendable {
        let pointer: OpaquePointer?
        init() {
            guard let store = X509_STORE_new() else { pointer = nil; return }
            // The bundle file first: it is read once; hashed-directory lookups would read files
            // during each verification.
            if X509_STORE_load_file(store, X509_get_default_cert_file()) != 1 {
                ERR_clear_error()
                X509_STORE_set_default_paths(store)
            }
            pointer = store
        }
    }

    static let shared = Store()

    package static func preload() { _ = shared }
}
