#if canImport(Glibc)
import Glibc
#endif

/// A failed system call: which call and the errno it left.
package struct SystemError: Error, Sendable, Equatable, CustomStringConvertible {
    package var call: String
    package var errno: Int32

    package init(_ call: String, errno: Int32 = Glibc.errno) {
        self.call = call
        self.errno = errno
    }

    package var description: String { "\(call): \(String(cString: strerror(errno)))" }
}

/// Runs a syscall, retrying on EINTR; throws `SystemError` when it returns -1.
@discardableResult
@inline(__always)
package func syscall<T: FixedWidthInteger>(_ name: String, _ body: () -> T) throws(SystemError) -> T {
    while true {
        let r = body()
        if r != -1 { return r }
        if errno != EINTR { throw SystemError(name) }
    }
}
