import CHealthSys

/// Lowers the calling thread below the event loop's priority (its nice value + 10), once per thread. Called by work that only has
/// to get done — evaluation, snapshots, the status page, checkpoints — which on a busy machine would otherwise take
/// turns with the loop that starts probes on time: at 10,000 probes restored from a week of history, a publish is
/// ~0.7 s of CPU. Threads of the shared pool stay lowered, which suits everything else that runs there too; an
/// unprivileged process cannot raise them again, nor raise the loop instead.
package func runsAsBackgroundWork() { _ = chs_lower_thread_priority(10) }

/// The calling thread's nice value.
package var threadNiceness: Int32 { chs_thread_niceness() }
