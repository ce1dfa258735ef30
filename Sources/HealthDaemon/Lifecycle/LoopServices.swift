/// The daemon's loop-confined parts. The daemon holds them in a `LoopBound` and reaches them
/// only through the loop.
struct LoopServices {
    let scheduler: Scheduler
    let dispatcher: AlertDispatcher
    /// Nil when no socket is configured.
    let api: APIServer?
}
