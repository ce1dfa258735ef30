package let healthdVersion = "0.1.0"
