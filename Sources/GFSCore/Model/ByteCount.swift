/// Parses and prints byte sizes the way users type them: `1048576`, `64K`, `64KiB`, `1M`, `1.5G`.
public enum ByteCount {
    private static let units: [(suffix: String, multiplier: Int64)] = [
        ("KIB", 1 << 10), ("MIB", 1 << 20), ("GIB", 1 << 30), ("TIB", 1 << 40),
        ("KB", 1 << 10), ("MB", 1 << 20), ("GB", 1 << 30), ("TB", 1 << 40),
        ("K", 1 << 10), ("M", 1 << 20), ("G", 1 << 30), ("T", 1 << 40), ("B", 1),
    ]

    /// The number of bytes `text` names, or nil when it is not a non-negative size.
    public static func parse(_ text: String) -> Int64? {
        let upper = text.uppercased()
        for (suffix, multiplier) in units where upper.hasSuffix(suffix) {
            guard let number = Double(upper.dropLast(suffix.count)), number >= 0 else { return nil }
            let bytes = number * Double(multiplier)
            return bytes < 9.2e18 ? Int64(bytes) : nil
        }
        return Int64(text).flatMap { $0 >= 0 ? $0 : nil }
    }

    /// A short human form: `512B`, `64K`, `1.5M`.
    public static func format(_ bytes: Int64) -> String {
        let steps = ["B", "K", "M", "G", "T", "P"]
        var value = Double(bytes)
        var step = 0
        while value >= 1024, step < steps.count - 1 {
            value /= 1024
            step += 1
        }
        if step == 0 { return "\(bytes)B" }
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? "\(Int(rounded))\(steps[step])" : "\(rounded)\(steps[step])"
    }
}
