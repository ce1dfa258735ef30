import HealthSys
#if canImport(Glibc)
import Glibc
#endif

/// Who is on the other end of an API connection, from the kernel (SO_PEERCRED), not from anything
/// the client says.
struct APIPeer: Sendable, Equatable {
    var uid: uid_t
    var gid: gid_t
    var pid: pid_t
    var user: String
    var admin: Bool

    static let unknown = APIPeer(uid: uid_t.max, gid: gid_t.max, pid: 0, user: "unknown", admin: false)
}

/// Who may act (admin ops): root, healthd's own user, and members of `socket.admin_group`.
/// The group is resolved when the config is loaded, so accepting a client reads no files.
struct APIAccess: Sendable, Equatable {
    var adminGID: gid_t?
    var adminUIDs: Set<uid_t> = []

    init(adminGroup: String?) {
        guard let adminGroup, let g = getgrnam(adminGroup) else { return }
        adminGID = g.pointee.gr_gid
        var member = g.pointee.gr_mem
        var names: [String] = []
        while let m = member?.pointee {
            names.append(String(cString: m))
            member = member! + 1
        }
        for n in names { if let p = getpwnam(n) { adminUIDs.insert(p.pointee.pw_uid) } }
    }

    /// `user` is the peer's name if already known; empty until it is looked up (off the loop).
    func peer(_ c: UnixSocket.PeerCredentials, user: String?) -> APIPeer {
        let admin = c.uid == 0 || c.uid == getuid() || adminUIDs.contains(c.uid) || (adminGID.map { $0 == c.gid } ?? false)
        return APIPeer(uid: c.uid, gid: c.gid, pid: c.pid, user: user ?? "", admin: admin)
    }
}
