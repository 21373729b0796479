;; Commands that need no execution engine: all pass with the "none" engine.
(module $A
  (func (export "add") (param i32 i32) (result i32)
    local.get 0
    local.get 1
    i32.add))
(module binary "\00asm" "\01\00\00\00")
(module definition $D (memory 1))
(assert_malformed (module binary "\00asm") "unexpected end")
(assert_malformed (module quote "(func (i32.const 0x1_0000_0000))") "constant out of range")
(assert_invalid (module (func (result i32))) "type mismatch")
