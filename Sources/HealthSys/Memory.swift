import CHealthSys

/// Returns the malloc arenas' free memory to the system; with `fixingThreshold`, first fixes glibc's mmap threshold at
/// 256 KiB, so that buffers of a checkpoint's size (tens of MB), which come and go, are mapped apart and unmapped
/// when freed, rather than kept in an arena once glibc has raised its threshold after the first of them.
package func trimMemory(fixingThreshold: Bool = false) {
    if fixingThreshold { chs_fix_mmap_threshold(256 * 1024) }
    chs_malloc_trim()
}
