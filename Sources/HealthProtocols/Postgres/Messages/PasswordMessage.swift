extension PostgresFrontendMessage {
    /// `p`: the password, in clear text or as `md5…` hash, NUL-terminated.
    /// Its description never shows the password.
    public struct PasswordMessage: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
        CustomReflectable
    {
        public var password: String

        public init(password: String) { self.password = password }

        public func encoded() -> [UInt8] {
            PostgresFraming.frame(UInt8(ascii: "p")) { $0.appendCString(password) }
        }

        /// The MD5 answer: `"md5" + md5hex(md5hex(password + user) + salt)`.
        public static func md5(user: String, password: String, salt: [UInt8]) -> PasswordMessage {
            let inner = hexString(MD5.hash(Array(password.utf8) + Array(user.utf8)))
            return PasswordMessage(password: "md5" + hexString(MD5.hash(Array(inner.utf8) + salt)))
        }

        public var description: String { "PasswordMessage(<redacted>)" }
        public var debugDescription: String { description }
        public var customMirror: Mirror { Mirror(self, children: ["password": "<redacted>"]) }
    }
}
