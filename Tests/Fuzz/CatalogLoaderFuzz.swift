// libFuzzer target: any bytes as a catalog file give entries or diagnostics, never a crash.
import SpaceTriage

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCatalogLoader(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
  let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
  let (signatures, problems) = CatalogLoader.parse(yaml: text, file: "fuzz.yaml")
  for problem in problems { precondition(!problem.description.isEmpty) }
  if !signatures.isEmpty, let compiled = try? CompiledCatalog(Catalog(signatures: signatures)) {
    _ = CatalogValidator(catalog: compiled).diagnostics()
  }
  return 0
}
