import HealthCore

/// A sample on its way from the scheduler to the engine. `epoch` names the config generation
/// that defined the probe, so a result that was in flight across a reload is not credited to a
/// changed definition.
package struct ProbeResult: Sendable {
    package var name: String
    package var epoch: Int
    package var sample: Sample
}
