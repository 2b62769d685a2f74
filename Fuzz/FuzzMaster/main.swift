import FuzzDriver

runLibFuzzer { data, count in
    guard let data else { return 0 }
    return fuzzMaster(data, count)
}
