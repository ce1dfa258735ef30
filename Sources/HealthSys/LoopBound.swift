/// A value that belongs to an event loop's thread, as swift-nio's `NIOLoopBound`: it may be
/// passed anywhere (into `loop.execute`, through a task group), but read or changed only on the
/// loop, which debug builds check on every access.
///
/// The one `@unchecked Sendable` for loop-confined state: sound because `value` asserts it is
/// on `loop`, the only thread that touches it.
package struct LoopBound<Value>: @unchecked Sendable {
    package let loop: EventLoop
    private var wrapped: Value

    /// Made on the loop (or before it runs, by the thread that sets it up).
    package init(_ value: Value, loop: EventLoop, file: StaticString = #fileID, line: UInt = #line) {
        loop.assertInLoop("LoopBound<\(Value.self)>", file: file, line: line)
        self.loop = loop
        self.wrapped = value
    }

    package var value: Value {
        get {
            loop.assertInLoop("LoopBound<\(Value.self)>")
            return wrapped
        }
        _modify {
            loop.assertInLoop("LoopBound<\(Value.self)>")
            yield &wrapped
        }
    }
}
