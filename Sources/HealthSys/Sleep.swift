#if canImport(Glibc)
import Glibc
#endif

/// A 1 ms sleep for polling loops outside Swift concurrency (benchmark, shutdown waits).
package func usleepShort() { usleep(1000) }
