import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// User names of socket peers, without blocking the loop: getpwuid may ask LDAP or sssd, so each
/// uid is looked up once, on a queue of its own, and remembered.
final class UserNames: Sendable {
    private let known = Mutex<[uid_t: String]>([:])
    private let queue = DispatchQueue(label: "healthd.user-names")

    /// The name if it is known already.
    func name(of uid: uid_t) -> String? { known.withLock { $0[uid] } }

    /// Looks `uid` up off the caller's thread; `done` gets its name, or "uid N" if it has none.
    func lookUp(_ uid: uid_t, _ done: @escaping @Sendable (String) -> Void) {
        queue.async { [self] in
            let name = Self.passwdName(uid) ?? "uid \(uid)"
            known.withLock { $0[uid] = name }
            done(name)
        }
    }

    private static func passwdName(_ uid: uid_t) -> String? {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getpwuid_r(uid, &entry, &buffer, buffer.count, &result) == 0, result != nil, let name = entry.pw_name else { return nil }
        return String(cString: name)
    }
}
