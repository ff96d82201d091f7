FROM Bad::Ref
