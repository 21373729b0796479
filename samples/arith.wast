;; A small script: a module, then assertions the engine checks by running it.
;;   dotnet run --project src/WasmKiln.Cli -- wast samples/arith.wast
(module
  (func (export "add") (param $a i32) (param $b i32) (result i32)
    (i32.add (local.get $a) (local.get $b)))
  (func $fac (export "fac") (param $n i64) (result i64)
    (if (result i64) (i64.le_u (local.get $n) (i64.const 1))
      (then (i64.const 1))
      (else (i64.mul (local.get $n) (call $fac (i64.sub (local.get $n) (i64.const 1)))))))
  (func (export "div") (param i32 i32) (result i32)
    (i32.div_s (local.get 0) (local.get 1))))

(assert_return (invoke "add" (i32.const 2) (i32.const 3)) (i32.const 5))
(assert_return (invoke "fac" (i64.const 20)) (i64.const 2432902008176640000))
(assert_trap (invoke "div" (i32.const 1) (i32.const 0)) "integer divide by zero")
