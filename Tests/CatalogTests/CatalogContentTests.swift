import PatternCatalog
import SpaceTriage
import Testing

/// The required ids of the product contract and their classes: these must exist, with these classes.
let requiredSignatures: [String: SignatureClass] = [
  "config.missing-app-file": .persistent, "config.invalid-yaml": .persistent,
  "build.pip-resolution-impossible": .persistent, "build.pip-no-matching-distribution": .persistent,
  "build.pip-install-failed": .persistent, "build.python-version-mismatch": .persistent,
  "build.wheel-build-hang": .persistent, "build.step-failed": .persistent,
  "build.dockerfile-parse-error": .persistent, "build.copy-not-found": .persistent,
  "build.apt-failed": .persistent, "build.oom-killed": .persistent, "build.job-failed": .failure,
  "build.network-error": .transient, "build.registry-push-failed": .transient, "build.stuck-queued": .transient,
  "scheduling.no-capacity": .transient, "scheduling.unable-to-schedule": .transient,
  "provisioning.container-create-failed": .transient,
  "startup.launch-timeout": .persistent, "startup.module-not-found": .persistent,
  "startup.import-error": .persistent, "startup.missing-secret": .persistent, "startup.gated-repo": .persistent,
  "startup.hub-not-found": .persistent, "zerogpu.cuda-init-before-spaces": .persistent,
  "startup.hub-network-timeout": .transient, "zerogpu.init-error": .transient, "startup.crashed": .failure,
  "runtime.memory-limit": .persistent, "runtime.storage-evicted": .persistent, "runtime.cuda-oom": .persistent,
  "zerogpu.illegal-duration": .persistent, "zerogpu.no-cuda-gpus": .transient, "zerogpu.worker-error": .transient,
  "zerogpu.queue-timeout": .transient, "zerogpu.quota-exceeded": .transient,
]

struct CatalogContentTests {
  @Test(arguments: requiredSignatures.keys.sorted())
  func requiredIDExistsWithSPECsClass(_ id: String) throws {
    let compiled = try #require(BundledCatalog.compiled)
    let signature = try #require(compiled.signatures.first { $0.id == id }, "missing \(id)")
    #expect(signature.signatureClass == requiredSignatures[id])
  }

  @Test func stageMarkersExist() throws {
    let compiled = try #require(BundledCatalog.compiled)
    let effects = Set(compiled.signatures.filter { $0.signatureClass == .info }.map(\.effect))
    #expect(effects.isSuperset(of: [.buildAttempt, .appAttempt, .buildComplete, .stage, .none]))
    #expect(compiled.signatures.contains { $0.signatureClass == .info && $0.stage == .running })
  }

  @Test func genericEntriesAreOutrankedBySpecificOnes() throws {
    let compiled = try #require(BundledCatalog.compiled)
    let generic = ["build.job-failed", "startup.crashed"]
    let lowest = compiled.signatures.filter { $0.signatureClass.isFailure && !generic.contains($0.id) }.map(\.priority).min() ?? 0
    for id in generic {
      let signature = try #require(compiled.signatures.first { $0.id == id })
      #expect(signature.priority < lowest, "\(id)")
    }
  }

  @Test func everyFailureEntryHasAdviceAndTwoExamples() throws {
    let compiled = try #require(BundledCatalog.compiled)
    for signature in compiled.signatures where signature.signatureClass.isFailure {
      #expect(!signature.advice.isEmpty, "\(signature.id)")
      #expect(signature.mustMatch.count >= 2, "\(signature.id)")
      #expect(signature.mustNotMatch.count >= 1, "\(signature.id)")
    }
  }
}
