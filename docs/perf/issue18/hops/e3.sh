#!/usr/bin/env bash
# Experiment 3: the bundled model with layer 1 (binding) duplicated: layers 0,1,1,2,3.
R=/work/runs/issue18/run-2f3c8ea.sh; out=/work/runs/issue18/hops/e3
if [[ -f $out/checkpoint/trainer.json ]]; then
  $R --out $out --resume $out/checkpoint --steps 2500 --checkpoint-every 100 --eval-every 100 --eval-n 64 >> $out.log 2>&1
else
  $R --out $out --init-from /work/runs/issue18/hops/stack-01123 --steps 800 --seed 301 --task multikey,vartrack-1hop \
    --length 128 --queries 4 --answer-slots 2 --batch 16 --layers 5 --d-model 128 --heads 4 --ffn 384 --lr 5e-4 \
    --warmup 50 --checkpoint-every 100 --eval-every 100 --eval-n 64 > $out.log 2>&1
fi
