extension PostgresFrontendMessage {
    /// `p`: the password, in clear text or as `md5…` hash, NUL-terminated.
    /// Its description never shows the password.
    package struct PasswordMessage: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
        CustomReflectable
    {
        package var password: String

        package init(password: String) { self.password = password }

        package func encoded() -> [UInt8] {
            PostgresFraming.frame(UInt8(ascii: "p")) { $0.appendCString(password) }
        }

        /// The MD5 answer: `"md5" + md5hex(md5hex(password + user) + salt)`.
        package static func md5(user: String, password: String, salt: [UInt8]) -> PasswordMessage {
            let inner = hexString(MD5.hash(Array(password.utf8) + Array(user.utf8)))
            return PasswordMessage(password: "md5" + hexString(MD5.hash(Array(inner.utf8) + salt)))
        }

        package var description: String { "PasswordMessage(<redacted>)" }
        package var debugDescription: String { description }
        package var customMirror: Mirror { Mirror(self, children: ["password": "<redacted>"]) }
    }
}
