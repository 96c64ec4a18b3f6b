#!/usr/bin/env bash
# Experiment 4: from scratch with the binding and hop priors, 4 layers x d 128, 128 tokens, vartrack curriculum mixed in.
R=/work/runs/issue18/run-fff03e4.sh; out=/work/runs/issue18/hops/e4
if [[ -f $out/checkpoint/trainer.json ]]; then
  $R --out $out --resume $out/checkpoint --steps 3000 --checkpoint-every 100 --eval-every 250 --eval-n 64 >> $out.log 2>&1
else
  $R --out $out --steps 3000 --seed 41 --task needle,multikey,vartrack-1hop,vartrack-2hop,vartrack \
    --length 128 --queries 4 --answer-slots 2 --batch 16 --layers 4 --d-model 128 --heads 4 --ffn 384 --lr 1e-3 \
    --warmup 100 --offset-heads -1,-2,-3 --binding-prior --hop-prior --checkpoint-every 100 --eval-every 250 \
    --eval-n 64 > $out.log 2>&1
fi
