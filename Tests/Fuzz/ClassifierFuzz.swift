// libFuzzer target: the fast path (block scans, bulk skips, JSON lines passed over) gives the
// same report as running every pattern of the bundled catalog on every line, whatever the bytes
// and whatever the read size.
import Foundation
import SpaceTriage

let catalog: CompiledCatalog = {
  let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Patterns/catalog")
  do {
    return try CompiledCatalog(try Catalog.load(directories: [directory]))
  } catch {
    fatalError("the catalog does not load: \(error)")
  }
}()
let plain = Classifier(catalog: catalog, usesPrefilter: false)
let fast = [1, 7, 64, 4096].map { Classifier(catalog: catalog, readSize: $0) }

@_cdecl("LLVMFuzzerInitialize")
public func initialize(_ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> Int32 {
  // Without the block scan (an entry without literals) this would compare the plain engine with itself.
  precondition(fast.allSatisfy(\.usesFastPath), "the fast path does not run with the bundled catalog")
  return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzClassifier(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
  let bytes = Array(UnsafeBufferPointer(start: data, count: size))
  guard let expected = try? plain.classify(MemorySource(bytes), name: "fuzz") else { return 0 }
  for classifier in fast {
    let report = try? classifier.classify(MemorySource(bytes), name: "fuzz")
    precondition(report == expected, "the fast path disagrees with the plain engine")
  }
  return 0
}
