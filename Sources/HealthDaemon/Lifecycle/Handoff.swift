import Synchronization

/// A value passed once from one task to another, so that the giver keeps no reference to it.
final class Handoff<Value: Sendable>: Sendable {
    private let value: Mutex<Value?>

    init(_ value: Value) { self.value = Mutex(value) }

    func read<T>(_ body: (Value) -> T) -> T { value.withLock { body($0!) } }

    /// The value; it is gone from here after this.
    func take() -> Value { value.withLock { v in defer { v = nil }; return v! } }
}
